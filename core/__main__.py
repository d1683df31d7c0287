from nlpzoo.cli import main

main()
