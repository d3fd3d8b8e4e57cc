import YunheCLI

YunheMain.main()
